"""dxgl in Jupyter: settings widgets with a live preview and credit quotes, local renders and
datasets with progress bars, and remote jobs through `dxgl_api.client`.

    from dxgl_gui.notebook import SettingsWidget, render_video, show_video
    w = SettingsWidget(sample_path("product")); w          # tweak, preview, quote
    show_video(render_video(sample_path("product"), w))   # the tuned settings, rendered here

Everything here drives the engine (`dxgl_engine`) and the client (`dxgl_api.client`); nothing
renders, validates, prices or talks HTTP on its own. No Qt is imported (see dxgl_gui/__init__).
"""
from .camera_plot import plot_cameras
from .datasets import Dataset
from .form import SettingsForm, as_settings
from .local_jobs import generate_dataset, render_video, show_video
from .preview import Preview
from .quote import Quote, QuotePanel, quote
from .remote import LocalServer, download_all, wait_all
from .widget import SettingsWidget, as_scene

__all__ = [
    "SettingsWidget", "SettingsForm", "Preview", "QuotePanel", "Quote", "quote", "as_settings", "as_scene",
    "render_video", "show_video", "generate_dataset", "Dataset", "plot_cameras",
    "LocalServer", "wait_all", "download_all",
]  # fmt: skip
