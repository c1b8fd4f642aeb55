"""Identity resolution: merge candidates (Splink), review decisions, persons and golden records.

- ``run.match(store, full=False, retrain=False)``: one match run (train if needed, score, cluster, golden).
- ``decisions``: accept_pair, reject_pair, undo_last, split_record, merge_persons, bulk_accept, next_pairs.
- ``explain.pair_detail``: a candidate pair field by field with each comparison's weight.
- ``exports``: the CLI's CSV exports.
"""
