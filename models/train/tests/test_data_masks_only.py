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


def test_build_budget_writes_the_cases_of_make_case_with_their_probes(tmp_path):
    from spv_train.build_budget import build_budget

    seeds = dataset.shape_seeds("train", 3, 5)
    for mix, out in ((0.0, tmp_path / "curvilinear"), (1.0, tmp_path / "mixed")):
        path = build_budget(out, "train", 3, max_seconds=120, workers=1, seed=5, images=False, probe_mix=mix)
        with np.load(path) as split:
            assert list(split["shape_id"]) == [int(s) for s in seeds]
            for k, seed in enumerate(seeds):
                case = dataset.make_case(int(seed), 5 * 1000, images=False, probe_mix=mix)
                for view, key in (("coronal", "cor"), ("transverse", "tr")):
                    assert np.array_equal(split[f"mask_{key}"][k], case[view]["mask"])
                    family = case[view]["probe"].family
                    assert split[f"probe_{key}"][k] == dataset.PROBE_FAMILIES.index(family)
            if mix == 0.0:
                assert not split["probe_cor"].any() and not split["probe_tr"].any()
            else:
                assert (split["probe_cor"] > 0).any() or (split["probe_tr"] > 0).any()


def test_build_budget_records_the_shape_family_and_builds_from_it(tmp_path):
    from spv_train import common
    from spv_train.build_budget import build_budget

    path = build_budget(tmp_path / "warped", "train", 2, max_seconds=120, workers=1, seed=5, images=False,
                        family="warped")
    assert common.split_family(path) == "warped"
    seed = int(dataset.shape_seeds("train", 2, 5)[0])
    with np.load(path) as split:
        case = dataset.make_case(seed, 5 * 1000, images=False, family="warped")
        assert np.array_equal(split["mask_cor"][0], case["coronal"]["mask"])
        assert abs(float(split["volume_ml"][0]) - case["volume_ml"]) < 1e-3
        assert case["volume_ml"] != dataset.make_case(seed, 5 * 1000, images=False)["volume_ml"]
    # A split written before the family was recorded holds shapes.py's spleens.
    old = tmp_path / "old.npz"
    np.savez(old, volume_ml=np.ones(1, np.float32))
    assert common.split_family(old) == "spleen"


def test_build_budget_skips_a_shape_the_simulator_cannot_image(tmp_path, monkeypatch):
    """A massive spleen no view plane holds (views.py raises) is left out and logged; the seeds after
    it are still kept, so the split stays the same prefix of seeds."""
    from spv_train.build_budget import build_budget

    seeds = [int(s) for s in dataset.shape_seeds("train", 3, 5)]
    make_case = dataset.make_case

    def refuse_the_second(shape_seed, *args, **kwargs):
        if shape_seed == seeds[1]:
            raise ValueError(f"spleen {shape_seed}: no coronal plane fits the field of view")
        return make_case(shape_seed, *args, **kwargs)

    monkeypatch.setattr(dataset, "make_case", refuse_the_second)
    path = build_budget(tmp_path / "skip", "train", 3, max_seconds=120, workers=1, seed=5, images=False)
    with np.load(path) as split:
        assert list(split["shape_id"]) == [seeds[0], seeds[2]]
