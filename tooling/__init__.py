"""The course's own tooling: notebook conventions, decks, the site, the OHIF Viewer's build.

Used by ``make``, CI and the tests, never by a notebook, and not installed with ``workshop_helpers``:

- :mod:`tooling.authoring`    building and checking notebooks that follow the conventions
- :mod:`tooling.publish`      instructor decks and a self-study site from the notebooks (``make slides site``)
- :mod:`tooling.site_pages`   the site's words and its few fixes
- :mod:`tooling.npm_assets`   the JavaScript the pages load, from the npm registry, pinned
- :mod:`tooling.ohif_build`   the OHIF Viewer fetched, trimmed and patched (``make viewer``)
"""
