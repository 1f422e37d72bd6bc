"""The city's models: four LightGBM models, each measured against its field's baseline.

One module per model (`routing`, `water`, `outbreak`, `hotspots`), the generators of data with
known truth under `ml.generators`, shared features in `ml.features`, and the registry of trained
models with their cards in `ml.registry`. Serving never trains: it loads what
`civicgraph ml train` wrote (docs/analytics.md).
"""
