#!/usr/bin/env python3
"""Holds a global key grab, as another application that took those keys does, until killed.

usage: grab-keys.py          (grabs Ctrl+Shift+Space on the display of $DISPLAY; prints
                              "grabbed" once it holds it)
"""
import ctypes
import ctypes.util
import signal
import sys

CONTROL_MASK = 1 << 2
SHIFT_MASK = 1 << 0
GRAB_MODE_ASYNC = 1


def main() -> int:
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XStringToKeysym.restype = ctypes.c_ulong
    x11.XStringToKeysym.argtypes = [ctypes.c_char_p]
    x11.XKeysymToKeycode.restype = ctypes.c_ubyte
    x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XGrabKey.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
    ]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    display = x11.XOpenDisplay(None)
    if not display:
        print("grab-keys: cannot open the display (is DISPLAY set?)", file=sys.stderr)
        return 1
    keycode = x11.XKeysymToKeycode(display, x11.XStringToKeysym(b"space"))
    root = x11.XDefaultRootWindow(display)
    x11.XGrabKey(
        display, keycode, CONTROL_MASK | SHIFT_MASK, root, 1, GRAB_MODE_ASYNC, GRAB_MODE_ASYNC
    )
    x11.XSync(display, 0)
    print("grabbed", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    return 0


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    sys.exit(main())
