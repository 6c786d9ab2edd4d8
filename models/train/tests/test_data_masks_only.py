"""--masks-only builds (for RVAE training) must give exactly the masks and lengths of full cases."""

import numpy as np

from spv_train import dataset


def test_masks_only_case_matches_the_full_case():
    full = dataset.make_case(11, 3)
    masks_only = dataset.make_case(11, 3, images=False)
    for view in ("coronal", "transverse"):
        assert np.array_equal(full[view]["mask"], masks_only[view]["mask"])
        assert full[view]["spacing_mm"] == masks_only[view]["spacing_mm"]
        assert not masks_only[view]["image"].any()
        assert full[view]["image"].any()
    assert full["lengths_cm"] == masks_only["lengths_cm"]
    assert full["volume_ml"] == masks_only["volume_ml"]
