"""Evidence rules: what may name a skill, with the shipped catalogue."""

import pytest

from projects.core.source import MemorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills
from skills.core.languages import language_for, refine_language

WORKFLOW_JAVA = """\
name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-java@v4
        with: {distribution: temurin, java-version: 17}
      - run: ./gradlew build
"""


def names(files):
    return {
        s.name: s for s in extract_skills(MemorySource(files), catalogue=cached_catalogue()).skills
    }


def test_setup_java_in_an_app_with_no_java_file_does_not_name_java():
    found = names(
        {
            ".github/workflows/ci.yml": WORKFLOW_JAVA,
            "app/src/main/kotlin/Main.kt": "package app\n\nfun main() = println(1)\n",
        }
    )
    assert "Java" not in found
    assert {"Kotlin", "GitHub Actions"} <= set(found)


def test_setup_java_adds_to_java_when_java_files_exist():
    found = names(
        {
            ".github/workflows/ci.yml": WORKFLOW_JAVA,
            "src/Main.java": "class Main { public static void main(String[] a) {} }\n",
        }
    )
    files = {e.file for e in found["Java"].evidence}
    assert files == {".github/workflows/ci.yml", "src/Main.java"}


def test_build_essential_is_not_make_but_a_makefile_is():
    dockerfile = (
        "FROM debian:12\nRUN apt-get update && apt-get install -y build-essential make curl\n"
    )
    assert "Make" not in names({"Dockerfile": dockerfile})
    found = names({"Dockerfile": dockerfile, "Makefile": "all:\n\techo hi\n"})
    assert "Make" in found


def test_os_packages_still_count_for_a_database_client():
    dockerfile = "FROM debian:12\nRUN apt-get install -y libpq-dev\n"
    assert "PostgreSQL" in names({"Dockerfile": dockerfile})


def test_setup_cfg_with_only_flake8_names_flake8_not_setuptools():
    found = names({"setup.cfg": "[flake8]\nmax-line-length = 100\n"})
    assert "Flake8" in found
    assert "setuptools" not in found


def test_setup_cfg_with_metadata_names_setuptools():
    found = names(
        {
            "setup.cfg": "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    requests\n",
            "x/__init__.py": "import requests\n",
        }
    )
    assert "setuptools" in found
    assert "Requests" in found


def test_propshaft_is_propshaft_not_sprockets():
    found = names({"Gemfile": 'source "https://rubygems.org"\ngem "rails"\ngem "propshaft"\n'})
    assert "Propshaft" in found
    assert "Sprockets" not in found


@pytest.mark.parametrize(
    ("path", "head", "language"),
    [
        ("app/proguard-rules.pro", b"-keep class com.example.** { *; }\n-dontwarn okio.**\n", None),
        ("app/proguard-rules.pro", b"# Add project specific ProGuard rules here.\n", None),
        ("logic/family.pro", b"parent(tom, bob).\nancestor(X, Y) :- parent(X, Y).\n", "Prolog"),
        ("app/app.pro", b"QT += core gui\nTEMPLATE = app\nSOURCES += main.cpp\n", "QMake"),
        ("i18n/app_de.ts", b'<?xml version="1.0"?>\n<!DOCTYPE TS>\n<TS version="2.1">', None),
        ("src/app.ts", b"export const x: number = 1;\n", "TypeScript"),
        ("inc/Foo.h", b"@interface Foo : NSObject\n@end\n", "Objective-C"),
        ("inc/foo.h", b"namespace foo { class Bar {}; }\n", "C++"),
        ("inc/foo.h", b"int add(int a, int b);\n", "C"),
        ("m/solve.m", b"function x = solve(a)\n  x = a;\nend\n", "MATLAB"),
        ("m/App.m", b'#import "App.h"\n@implementation App\n@end\n', "Objective-C"),
        ("s/tool.pl", b"#!/usr/bin/perl\nuse strict;\n", "Perl"),
        ("s/facts.pl", b":- module(facts, []).\n", "Prolog"),
        ("hw/counter.v", b"module counter(input clk, output reg [3:0] q);\nendmodule\n", "Verilog"),
        ("proof/Nat.v", b"Require Import Arith.\nTheorem t : 1 = 1.\nProof. auto. Qed.\n", "Coq"),
        ("src/main.v", b"module main\n\nfn main() {\n\tprintln('hi')\n}\n", "V"),
        ("lib/config.inc", b"<?php\n$x = 1;\n", "PHP"),
        ("asm/macros.inc", b"; NASM macros\n%macro prologue 0\n", None),
        ("shaders/blur.fs", b"#version 330 core\nvoid main() {}\n", "GLSL"),
        ("src/Lib.fs", b"module Lib\nlet add a b = a + b\n", "F#"),
        ("build/deps.d", b"main.o: main.c util.h\n", None),
    ],
)
def test_colliding_extensions_are_settled_by_content(path, head, language):
    by_name = language_for(path)
    assert by_name is not None
    assert refine_language(path, by_name, head) == language


def test_proguard_rules_do_not_make_an_android_app_a_prolog_project():
    found = names(
        {
            "app/proguard-rules.pro": "-keep class com.example.** { *; }\n" * 50,
            "app/src/main/java/App.kt": "package app\nclass App\n",
        }
    )
    assert "Prolog" not in found


def test_a_script_word_is_an_npm_package_never_a_technology_name():
    package = '{"scripts": {"hello": "echo hi && jest"}, "devDependencies": {"jest": "^29"}}'
    found = names({"package.json": package})
    assert "Echo" not in found
    assert "Jest" in found


def test_setup_java_gives_the_toolchain_version_of_java_when_java_files_exist():
    found = names(
        {
            ".github/workflows/ci.yml": WORKFLOW_JAVA,
            "src/Main.java": "class Main {}\n",
        }
    )
    assert found["Java"].version == "17"
