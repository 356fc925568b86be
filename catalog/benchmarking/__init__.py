"""The micro-model benchmark's Django side: storing runs, checking reports, charts, API serializers, pages.

``catalog.benchmark`` is the framework-free core: it measures the model on this machine, runs standalone
and imports no Django. This package takes its reports from there: ``store`` records a run and reads it
back beside the catalog's chips (roofline bounds, target verdicts), ``validation`` checks a report
against the contract, ``charts`` draws the figures, ``serializers`` and ``views`` serve the API and
the pages. Capability scores are not benchmarks here: they will be "evaluations".
"""
