"""The website's pages: browsing lists and details (``browse``), chart and compare pages (``chart_pages``,
drawing ``figures``), and the estimators (``estimators``, their controls in ``estimator_forms``).

The micro-model benchmark's pages live with the rest of its Django side, in ``catalog.benchmarking.views``.
"""
