"""Down-sampling for scatter charts: a bounded number of points whatever the table's size.

Why: a browser cannot usefully draw 18,500 markers, and a page carrying them is megabytes of JSON. The
points are sorted along x and cut into equal-count slices; each slice keeps its lowest and highest y, so the
extremes (record chips, the frontier, both ends of the x axis) survive and the cloud keeps its shape. The page
says how many points it shows of how many, and links to the full rows (list, CSV, API).
"""

MAX_POINTS = 400


def thinned(points, limit=None):
    """The keys to draw from ``points`` ((key, x, y) tuples with x and y comparable): all of them when there
    are at most ``limit``, else at most ``limit`` chosen as the module docstring says."""
    points, limit = list(points), limit or MAX_POINTS
    if len(points) <= limit:
        return [key for key, _x, _y in points]
    points.sort(key=lambda point: (point[1], point[2]))
    slices = (limit - 2) // 2
    keep = [points[0][0], points[-1][0]]  # the ends of the x axis
    for index in range(slices):
        chunk = points[index * len(points) // slices : (index + 1) * len(points) // slices]
        if chunk:
            lowest = min(chunk, key=lambda point: point[2])
            highest = max(chunk, key=lambda point: point[2])
            keep.extend((lowest[0], highest[0]))
    return list(dict.fromkeys(keep))


def narrowed(queryset, keep, total):
    """``queryset`` cut to the ``keep`` keys, or left whole when nothing was left out: no long IN list then, and
    no empty one (Django skips the query for ``pk__in=[]``, so the page's query count would change)."""
    return queryset if len(keep) == total else queryset.filter(pk__in=keep)
