"""Vendored and generated files: out of the language shares, and copied libraries named with their version."""

from projects.core.source import MemorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills

JQUERY = (
    "/*! jQuery v3.7.1 | (c) OpenJS Foundation and other contributors */\n" + "!function(e){}" * 200
)
BOOTSTRAP_CSS = (
    "/*!\n * Bootstrap  v5.3.2 (https://getbootstrap.com/)\n */\n" + ".btn{color:red}" * 200
)
LESS = ".btn { .button-variant(@btn-default-color; @btn-default-bg); }\n" * 400


def extract(files):
    return extract_skills(MemorySource(files), catalogue=cached_catalogue())


def test_a_django_app_with_a_vendored_bootstrap_is_python_first_not_less():
    result = extract(
        {
            "shop/views.py": "from django.shortcuts import render\n" * 40,
            "requirements.txt": "django==5.0\n",
            "shop/static/bootstrap/less/buttons.less": LESS,
            "shop/static/bootstrap/css/bootstrap.css": BOOTSTRAP_CSS,
            "shop/static/js/lib/jquery.min.js": JQUERY,
            "shop/static/js/app.js": "document.querySelector('#x').hidden = true;\n",
        }
    )
    assert [share.name for share in result.languages] == ["Python", "JavaScript"]
    skills = {s.name: s for s in result.skills}
    assert "Less" not in skills
    assert skills["jQuery"].version == "3.7.1"
    assert skills["Bootstrap"].version == "5.3.2"
    assert [e.file for e in skills["jQuery"].evidence] == ["shop/static/js/lib/jquery.min.js"]


def test_a_vendored_folder_names_the_library_from_its_file_name_version():
    result = extract(
        {
            "app.js": "console.log(1)\n",
            "static/vendor/jquery-3.6.0.min.js": "!function(e){}" * 100,
        }
    )
    skills = {s.name: s for s in result.skills}
    assert skills["jQuery"].version == "3.6.0"
    assert [share.name for share in result.languages] == ["JavaScript"]


def test_compiled_css_next_to_its_source_and_lock_files_do_not_count():
    result = extract(
        {
            "styles/site.scss": "$c: red;\n.a { color: $c; }\n" * 20,
            "styles/site.css": ".a { color: red; }\n" * 40,
            "package-lock.json": "{}\n" * 1000,
            "src/index.ts": "export const x = 1;\n",
        }
    )
    assert {share.name for share in result.languages} == {"SCSS", "TypeScript"}
    assert "Sass" in {s.name for s in result.skills}


def test_a_stylesheet_opening_with_a_library_banner_is_a_build_not_code():
    result = extract(
        {
            "src/main/resources/static/css/app.css": BOOTSTRAP_CSS + ".mine{color:blue}" * 50,
            "src/main/scss/app.scss": "@import 'bootstrap';\n.mine { color: blue; }\n",
            "src/main/java/App.java": "class App {}\n" * 20,
        }
    )
    assert [share.name for share in result.languages] == ["Java", "SCSS"]


def test_a_procfile_echo_is_not_the_echo_framework():
    result = extract({"Procfile": "web: bundle exec puma\nrelease: echo migrating\n"})
    names = {s.name for s in result.skills}
    assert "Echo" not in names and "Puma" in names


def test_css_compiled_into_another_folder_from_a_source_of_the_same_name():
    result = extract(
        {
            "src/main/scss/petclinic.scss": "@import 'header';\n.a { color: red; }\n",
            "src/main/scss/_header.scss": ".h { color: blue; }\n",
            "src/main/resources/static/css/petclinic.css": ".a{color:red}\n" * 500,
            "src/main/java/App.java": "class App {}\n",
        }
    )
    assert [share.name for share in result.languages] == ["SCSS", "Java"]


def test_build_tool_wrappers_are_not_the_project_s_batch_or_shell_code():
    result = extract(
        {
            "gradlew": "#!/bin/sh\n" + "echo x\n" * 100,
            "gradlew.bat": "@echo off\n" * 100,
            "mvnw.cmd": "@echo off\n" * 100,
            "src/App.java": "class App {}\n",
        }
    )
    assert [share.name for share in result.languages] == ["Java"]
