"""The skills engine's pure core: no Django, plain values in and out.

* ``catalogue``: ``load_catalogue(path)``, ``cached_catalogue()``, ``Catalogue.match``/``match_file``;
* ``manifests``: one parser module per ecosystem, chosen by ``find_parser(path)``;
* ``languages``: language shares by bytes, the Linguist way;
* ``extract``: ``extract_skills(source, catalogue=...)`` and ``skills_report(result)``.
"""
