# JupyterLab for the course. Loaded by `make lab` (--config), by tests/test_real_browser.py the same
# way, and on Binder (postBuild copies it to ~/.jupyter/jupyter_server_config.py).
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

c = get_config()  # noqa: F821 (defined by Jupyter when it loads this file)

# What the notebooks write goes to notebooks/scratch/ (emptied on every run): keep it out of the
# file browser. The defaults are kept; the folder itself is still there for the kernels.
c.ContentsManager.hide_globs = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "scratch"]


def kernel_metadata(name: str = "python3") -> dict:
    """The notebook metadata JupyterLab writes once the kernel has started: the kernel spec, and
    the language_info of ipykernel in this environment (its Python version included)."""
    from ipykernel.ipkernel import IPythonKernel

    spec = KernelSpecManager().get_kernel_spec(name)
    return {"kernelspec": {"display_name": spec.display_name, "language": spec.language,
                           "name": name},
            "language_info": dict(IPythonKernel.language_info)}


class CourseContentsManager(AsyncLargeFileManager):
    """Notebooks open with the metadata their kernel will report. JupyterLab replaces
    ``kernelspec`` and ``language_info`` as soon as the kernel is up and marks the notebook
    modified when they differ; the files in git cannot know every learner's Python version."""

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and model.get("content"):
            metadata = model["content"]["metadata"]
            name = metadata.get("kernelspec", {}).get("name", "python3")
            if name == "python3":
                metadata.update(kernel_metadata(name))
        return model

    def mark_trusted_cells(self, nb, path=""):
        """A notebook with no outputs has nothing to trust (trust is about outputs that run
        JavaScript or show HTML): its cells are trusted without the server's "Notebook ... is not
        trusted" warning on every open. A notebook with outputs is checked as usual."""
        if any(cell.get("outputs") for cell in nb.cells):
            return super().mark_trusted_cells(nb, path)
        self.notary.mark_cells(nb, True)


c.ServerApp.contents_manager_class = CourseContentsManager

# No language server is installed for the course: jupyter_lsp's search for them logs a long
# "Skipped non-installed server(s): ..." line at every start.
c.LanguageServerManager.autodetect = False
