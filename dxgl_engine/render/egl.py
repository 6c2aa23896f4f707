"""Headless OpenGL contexts through EGL, without a window system, on the platform a host offers:

- Mesa's surfaceless platform (EGL_MESA_platform_surfaceless): CPU machines and CI, llvmpipe;
- the EGL device platform (EGL_EXT_platform_device): what NVIDIA's driver offers on a server, and
  what Mesa offers too (its software device), so the GPU server's path runs and is tested here.

`DXGL_EGL_DEVICE` picks one device of several (an index, or part of its name), one worker per GPU;
`DXGL_EGL_PLATFORM` (surfaceless or device) forces a platform. Without them, a hardware device
(one that is not Mesa's software device) is preferred: with glvnd, a GPU server has both Mesa and
the GPU vendor's EGL, and Mesa's surfaceless platform would render on the CPU beside an idle GPU.
With no hardware device, surfaceless is used where it exists and the software device otherwise.
The context is a compatibility-profile OpenGL context made current without a surface
(EGL_KHR_surfaceless_context): every render goes to FBOs.
Reference: the EGL 1.5 specification and the EXT_platform_device / EXT_device_enumeration /
EXT_device_query / MESA_platform_surfaceless extension texts (Khronos registry).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from dataclasses import dataclass

from ..errors import RenderFailed

EGL_EXTENSIONS, EGL_VENDOR, EGL_VERSION = 0x3055, 0x3053, 0x3054
EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE = 0x3040, 0x0008, 0x3038
EGL_SURFACE_TYPE, EGL_PBUFFER_BIT = 0x3033, 0x0001
EGL_OPENGL_API = 0x30A2
EGL_PLATFORM_DEVICE_EXT = 0x313F
EGL_PLATFORM_SURFACELESS_MESA = 0x31DD
EGL_DRM_DEVICE_FILE_EXT = 0x3233
EGL_RENDERER_EXT = 0x335F
PLATFORMS = ("surfaceless", "device")


class EglError(RenderFailed):
    """No headless OpenGL context could be made: the message says which step and what to install."""


@dataclass(frozen=True)
class EglDevice:
    """One device of EGL_EXT_device_enumeration: its index, a name to pick it by and its extensions."""

    index: int
    name: str
    extensions: tuple[str, ...]
    handle: int


@dataclass
class EglContext:
    """A current headless context: on which platform and device, and EGL's own vendor and version."""

    platform: str
    device: EglDevice | None
    vendor: str
    version: str
    display: int
    context: int

    def make_current(self) -> None:
        if not _lib().eglMakeCurrent(self.display, None, None, self.context):
            raise EglError(f"cannot make the EGL context current (error 0x{_lib().eglGetError():x})")


_egl = None


def _lib():
    """libEGL with the signatures used here (loaded once)."""
    global _egl
    if _egl is None:
        name = os.environ.get("EGL_LIBRARY") or ctypes.util.find_library("EGL")
        if not name:
            raise EglError("libEGL is not installed; install libegl1 and libgl1-mesa-dri (make install does this "
                           "as root), or a GPU driver's EGL")  # fmt: skip
        try:
            lib = ctypes.CDLL(name)
        except OSError as err:
            raise EglError(f"libEGL ({name}) cannot be loaded: {err}") from None
        p, i, u = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint
        for fn, res, args in (
            ("eglQueryString", ctypes.c_char_p, [p, i]), ("eglGetProcAddress", p, [ctypes.c_char_p]),
            ("eglGetDisplay", p, [p]), ("eglInitialize", u, [p, ctypes.POINTER(i), ctypes.POINTER(i)]),
            ("eglBindAPI", u, [u]), ("eglChooseConfig", u, [p, ctypes.POINTER(i), ctypes.POINTER(p), i,
                                                            ctypes.POINTER(i)]),
            ("eglCreateContext", p, [p, p, p, ctypes.POINTER(i)]), ("eglMakeCurrent", u, [p, p, p, p]),
            ("eglGetError", i, []), ("eglTerminate", u, [p]),
        ):  # fmt: skip
            getattr(lib, fn).restype, getattr(lib, fn).argtypes = res, args
        _egl = lib
    return _egl


def _extension(name: bytes, restype, *argtypes):
    """An extension entry point from eglGetProcAddress (None where the library lacks it)."""
    address = _lib().eglGetProcAddress(name)
    return ctypes.CFUNCTYPE(restype, *argtypes)(address) if address else None


def client_extensions() -> set[str]:
    """EGL's client extensions (platforms and device enumeration) before any display exists."""
    text = _lib().eglQueryString(None, EGL_EXTENSIONS)
    return set((text or b"").decode().split())


def devices() -> list[EglDevice]:
    """The devices EGL can render on (empty without EGL_EXT_device_enumeration). A device is named by
    its DRM node, its renderer (EGL_EXT_device_query_name) or, for Mesa's, "software"."""
    query = _extension(b"eglQueryDevicesEXT", ctypes.c_uint, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                       ctypes.POINTER(ctypes.c_int))  # fmt: skip
    string = _extension(b"eglQueryDeviceStringEXT", ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int)
    if query is None or string is None or "EGL_EXT_device_enumeration" not in client_extensions():
        return []
    handles = (ctypes.c_void_p * 32)()
    count = ctypes.c_int()
    if not query(32, handles, ctypes.byref(count)):
        return []
    out = []
    for index in range(count.value):
        extensions = tuple((string(handles[index], EGL_EXTENSIONS) or b"").decode().split())
        names = []
        if "EGL_EXT_device_query_name" in extensions:
            names += [(string(handles[index], q) or b"").decode() for q in (EGL_RENDERER_EXT, EGL_VENDOR)]
        if "EGL_EXT_device_drm" in extensions:
            names.append((string(handles[index], EGL_DRM_DEVICE_FILE_EXT) or b"").decode())
        if "EGL_MESA_device_software" in extensions:
            names.append("software")
        out.append(EglDevice(index, " ".join(n for n in names if n) or f"device {index}", extensions, handles[index]))
    return out


def pick_device(choice: str | None, available: list[EglDevice]) -> EglDevice:
    """The device `choice` names: an index ("1"), or a part of its name ("H200", "renderD129",
    "software"); the first hardware device when `choice` is empty (the first device where all are
    software)."""
    if not available:
        raise EglError("EGL lists no devices (the driver lacks EGL_EXT_device_enumeration)")
    if not choice:
        return next((d for d in available if is_hardware(d)), available[0])
    if choice.strip().isdigit():
        index = int(choice)
        if index >= len(available):
            raise EglError(f"DXGL_EGL_DEVICE={choice}: no EGL device {index}; the devices are {_listing(available)}")
        return available[index]
    matches = [d for d in available if choice.lower() in d.name.lower()]
    if not matches:
        raise EglError(f"DXGL_EGL_DEVICE={choice!r} names none of the EGL devices: {_listing(available)}")
    return matches[0]


def is_hardware(device: EglDevice) -> bool:
    """Whether `device` is a GPU (Mesa marks its CPU renderer with EGL_MESA_device_software)."""
    return "EGL_MESA_device_software" not in device.extensions


def _listing(available: list[EglDevice]) -> str:
    return "; ".join(f"{d.index}: {d.name}" for d in available)


def choose_platform(requested: str | None, device: str | None, available: list[EglDevice] | None = None) -> str:
    """The platform to open: `requested` (DXGL_EGL_PLATFORM) when given, the device platform when a
    device is chosen or one of the `available` devices (default: devices()) is hardware, else
    surfaceless where EGL offers it and the device platform otherwise."""
    if requested:
        if requested not in PLATFORMS:
            raise EglError(f"DXGL_EGL_PLATFORM must be one of {', '.join(PLATFORMS)}, not {requested!r}")
        return requested
    if device:
        return "device"
    if any(is_hardware(d) for d in (devices() if available is None else available)):
        return "device"
    return "surfaceless" if "EGL_MESA_platform_surfaceless" in client_extensions() else "device"


def create_context(platform: str | None = None, device: str | None = None) -> EglContext:
    """A current headless OpenGL context (see the module docstring for how the platform and the
    device are chosen; the arguments default to DXGL_EGL_PLATFORM and DXGL_EGL_DEVICE)."""
    device = device or os.environ.get("DXGL_EGL_DEVICE") or None
    platform = choose_platform(platform or os.environ.get("DXGL_EGL_PLATFORM") or None, device)
    lib = _lib()
    get_platform_display = _extension(b"eglGetPlatformDisplayEXT", ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                      ctypes.POINTER(ctypes.c_int))  # fmt: skip
    if get_platform_display is None:
        raise EglError("this EGL lacks eglGetPlatformDisplayEXT (EGL_EXT_platform_base)")
    chosen = None
    if platform == "device":
        chosen = pick_device(device, devices())
        display = get_platform_display(EGL_PLATFORM_DEVICE_EXT, chosen.handle, None)
    else:
        if "EGL_MESA_platform_surfaceless" not in client_extensions():
            raise EglError("this EGL has no surfaceless platform; use DXGL_EGL_PLATFORM=device")
        display = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, None, None)
    major, minor = ctypes.c_int(), ctypes.c_int()
    if not display or not lib.eglInitialize(display, ctypes.byref(major), ctypes.byref(minor)):
        raise EglError(f"cannot initialise the EGL {platform} display (error 0x{lib.eglGetError():x})")
    try:
        return _context_on(lib, display, platform, chosen)
    except EglError:
        lib.eglTerminate(display)  # a worker that retries (or falls back) does not keep a dead display
        raise


def _context_on(lib, display: int, platform: str, chosen: EglDevice | None) -> EglContext:
    """A context made current on an initialised `display`."""
    if not lib.eglBindAPI(EGL_OPENGL_API):
        raise EglError("this EGL display cannot run desktop OpenGL")
    # EGL_SURFACE_TYPE defaults to windows, which headless displays have none of: ask for pbuffers.
    attributes = (ctypes.c_int * 5)(EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_NONE)
    config, found = ctypes.c_void_p(), ctypes.c_int()
    if not lib.eglChooseConfig(display, attributes, ctypes.byref(config), 1, ctypes.byref(found)) or not found.value:
        raise EglError(f"the EGL {platform} display has no OpenGL configuration")
    context = lib.eglCreateContext(display, config, None, (ctypes.c_int * 1)(EGL_NONE))
    if not context:
        raise EglError(f"cannot create an OpenGL context (EGL error 0x{lib.eglGetError():x})")
    made = EglContext(platform, chosen, (lib.eglQueryString(display, EGL_VENDOR) or b"").decode(),
                      (lib.eglQueryString(display, EGL_VERSION) or b"").decode(), display, context)  # fmt: skip
    made.make_current()
    return made
