"""The classifier, the seed corpus, per-site models and retraining, label export."""
