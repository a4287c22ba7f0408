from __future__ import annotations

import os

from lepton_cli.fileio import atomic_write


def test_atomic_write_keeps_an_existing_mode_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "plan.yaml"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]


def test_atomic_write_gives_a_new_file_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "sub" / "new.yaml", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "new.yaml").stat().st_mode & 0o777 == 0o644
