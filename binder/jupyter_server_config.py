# JupyterLab for the course. Loaded by `make lab` (--config), by tests/test_real_browser.py the same
# way, and on Binder (postBuild copies it to ~/.jupyter/jupyter_server_config.py).
c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)

# What the notebooks write goes to notebooks/scratch/ (emptied on every run): keep it out of the
# file browser. The defaults are kept; the folder itself is still there for the kernels.
c.ContentsManager.hide_globs = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "scratch"]
