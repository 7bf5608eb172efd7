"""Import scanning: skills from the code itself, bounded, and demotion of what is never imported."""

from projects.core.source import MemorySource
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills
from skills.core.imports import is_candidate, sample

TRAIN = """\
import os
import math
from contextlib import nullcontext

import numpy as np
import torch
from torch.nn import functional as F
import wandb

from model import GPTConfig, GPT
from data.prepare import load
"""


def skills(files, **kwargs):
    result = extract_skills(MemorySource(files), catalogue=cached_catalogue(), **kwargs)
    return {s.name: s for s in result.skills}


def test_a_project_with_no_manifest_is_known_by_its_imports():
    found = skills(
        {
            "train.py": TRAIN,
            "model.py": "import torch\nimport torch.nn as nn\n",
            "data/prepare.py": "import numpy as np\nimport tiktoken\n",
        }
    )
    assert {"PyTorch", "NumPy", "Weights & Biases", "Python"} <= set(found)
    torch = found["PyTorch"]
    assert [(e.file, e.line, e.raw) for e in torch.evidence] == [
        ("model.py", 1, "torch"),
        ("train.py", 6, "torch"),
    ]
    assert {e.raw for s in found.values() for e in s.evidence} & {"model", "data", "os"} == set()


def test_import_names_map_to_their_packages():
    found = skills(
        {"app.py": "from PIL import Image\nimport sklearn.linear_model\nimport cv2\nimport bs4\n"}
    )
    assert {"Pillow", "scikit-learn", "OpenCV", "Beautiful Soup"} <= set(found)


def test_javascript_and_go_imports_name_packages_but_not_builtins_or_relative_paths():
    found = skills(
        {
            "web/src/app.tsx": "import React from 'react'\nimport { x } from './local'\nimport fs from 'node:fs'\n",
            "api/main.ts": "import { Module } from '@nestjs/common';\nconst express = require('express');\n",
            "svc/main.go": 'package main\n\nimport (\n\t"fmt"\n\t"github.com/prometheus/client_golang/prometheus"\n)\n',
        }
    )
    assert {"React", "NestJS", "Express", "Prometheus"} <= set(found)
    assert found["Prometheus"].evidence[0].line == 5


def test_tests_and_vendored_code_are_not_scanned():
    assert not is_candidate("tests/test_api.py")
    assert not is_candidate("pkg/handler_test.go")
    assert not is_candidate("src/app.spec.ts")
    assert not is_candidate("types/index.d.ts")
    assert is_candidate("src/app.ts")
    found = skills(
        {
            "app.py": "x = 1\n",
            "tests/test_app.py": "import numpy\n",
            "vendor/lib/x.py": "import torch\n",
            "node_modules/a/index.js": "require('express')\n",
        }
    )
    assert {"NumPy", "PyTorch", "Express"}.isdisjoint(found)


def test_large_trees_are_sampled_evenly():
    paths = [f"src/m{i:03}.py" for i in range(100)]
    picked = sample(paths, 10)
    assert len(picked) == 10 and picked[0] == "src/m000.py" and picked[-1] == "src/m090.py"


def test_only_the_first_bytes_of_each_file_are_scanned():
    late = "x = 1\n" * 3000 + "import torch\n"
    assert "PyTorch" not in skills({"big.py": late}, max_import_bytes=4096)
    assert "PyTorch" in skills({"big.py": late}, max_import_bytes=64 * 1024)


REQUIREMENTS = "requests==2.32\ngunicorn==22.0\npsycopg==3.2\ndjango-debug-toolbar==4.4\n"


def test_declared_but_never_imported_libraries_are_demoted_servers_and_drivers_are_not():
    found = skills({"requirements.txt": REQUIREMENTS, "app.py": "import os\n"})
    assert found["Requests"].confidence == 0.3
    assert found["Gunicorn"].confidence == 0.6
    assert found["PostgreSQL"].confidence == 0.6
    assert found["Django Debug Toolbar"].confidence == 0.6


def test_an_imported_library_is_not_demoted():
    found = skills({"requirements.txt": REQUIREMENTS, "app.py": "import requests\n"})
    assert found["Requests"].confidence == 0.82


def test_no_demotion_when_the_scan_was_cut_short():
    files = {"requirements.txt": REQUIREMENTS}
    files.update({f"pkg/m{i}.py": "import os\n" for i in range(5)})
    assert skills(files, max_import_files=2)["Requests"].confidence == 0.6
    assert skills(files, max_import_files=10)["Requests"].confidence == 0.3
