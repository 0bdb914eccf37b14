"""Finding the real tools, pydicom's test files, scratch folders, the CLI."""

from __future__ import annotations

import subprocess
import sys

import pydicom
import pytest

from workshop_helpers import tools
from workshop_helpers.__main__ import main


def test_dcmtk_tool_is_dcmtk_not_pynetdicom(dcmtk):
    for name in ("dcmdump", "storescp", "storescu", "echoscu"):
        path = dcmtk(name)
        out = subprocess.run([path, "--version"], capture_output=True, text=True)
        assert "dcmtk" in (out.stdout + out.stderr).lower(), path
        assert not path.startswith(sys.prefix), path


def test_unknown_tool_is_missing_with_advice():
    with pytest.raises(tools.ToolMissing, match="apt-get install dcmtk"):
        tools.dcmtk_tool("no-such-dcmtk-program")


def test_validate_file_sorts_messages(dciodvfy, tmp_path):
    good = dciodvfy(tools.testdata("CT_small.dcm"))
    assert good.output  # dciodvfy said something
    # a file with the Modality removed must produce at least one more error
    ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    del ds.Modality
    ds.save_as(tmp_path / "no_modality.dcm")
    bad = dciodvfy(tmp_path / "no_modality.dcm")
    assert len(bad.errors) > len(good.errors)
    assert any("Modality" in e for e in bad.errors)


def test_testdata_is_local_only():
    assert tools.testdata("CT_small.dcm").is_file()
    with pytest.raises(FileNotFoundError, match="does not ship"):
        tools.testdata("surely_not_a_pydicom_file.dcm")


def test_scratch_folder_is_fresh_and_confined(tmp_path):
    p = tools.scratch_folder("nb", root=tmp_path)
    (p / "x").write_text("x")
    assert list(tools.scratch_folder("nb", root=tmp_path).iterdir()) == []
    with pytest.raises(ValueError, match="outside"):
        tools.scratch_folder("../escape", root=tmp_path)


def test_cli_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "env" in capsys.readouterr().out


def test_cli_env_reports_tools(dcmtk, dciodvfy, capsys):
    assert main(["env"]) == 0
    out = capsys.readouterr().out
    assert "pydicom" in out and "dcmtk" in out and "missing" not in out


def test_cli_runs_as_module():
    out = subprocess.run([sys.executable, "-m", "workshop_helpers", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "COMMAND" in out.stdout


def test_save_atomically_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "kept.dcm"
    target.write_bytes(b"the old file")
    with pytest.raises(Exception):  # noqa: B017 - whatever pydicom raises for an empty data set
        tools.save_atomically(pydicom.Dataset(), target)
    assert target.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.dcm"]
    ds = pydicom.dcmread(tools.testdata("CT_small.dcm"))
    tools.save_atomically(ds, target)
    assert pydicom.dcmread(target).SOPInstanceUID == ds.SOPInstanceUID
