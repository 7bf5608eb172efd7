import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _run(*args):
    out = StringIO()
    call_command("skills", *args, stdout=out)
    return out.getvalue()


def test_skills_json_of_a_folder_lists_languages_skills_and_manifests(tmp_path):
    (tmp_path / "requirements.txt").write_text("Django[argon2]>=5.2,<6\ncelery==5.4\n")
    (tmp_path / "app.py").write_text("print('hello')\n" * 50)
    (tmp_path / "package.json").write_text("{not json")
    report = json.loads(_run(str(tmp_path), "--json"))
    assert set(report) >= {"languages", "skills", "manifests"}
    assert report["languages"][0]["name"] == "Python"
    names = {s["name"] for s in report["skills"]}
    assert {"Django", "Celery"} <= names
    django = next(s for s in report["skills"] if s["name"] == "Django")
    assert django["evidence"][0]["file"] == "requirements.txt"
    assert django["evidence"][0]["line"] == 1
    assert "requirements.txt" in report["manifests"]["read"]
    assert [s["file"] for s in report["manifests"]["skipped"]] == ["package.json"]


def test_skills_of_a_repository_url(make_repo):
    repo = make_repo()
    text = _run(repo.url)
    assert "Django" in text
    assert "Python" in text


def test_skills_refuses_a_file(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("x")
    with pytest.raises(CommandError, match="not a file"):
        _run(str(f))


def test_skills_of_a_path_that_does_not_exist_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError):
        _run(str(tmp_path / "missing"))
