"""SPV training package: synthetic spleen data (shapes, views, ultrasound, dataset) and the
training / calibration / export / evaluation pipeline.

Run everything from ``models/train/`` (e.g. ``python3 -m spv_train.dataset --help``).
Submodules are imported explicitly by their users; nothing heavy is imported here so that
``import spv_train`` stays cheap in worker processes.
"""

__all__ = ["SPLIT_SEED_BASE"]

# Shape seeds for each split come from disjoint ranges so that no 3D spleen appears in two splits.
# Repeated here (and in dataset.py) because it is part of the public interface.
SPLIT_SEED_BASE = {"train": 0, "calib": 10_000_000, "test": 20_000_000, "samples": 30_000_000}
