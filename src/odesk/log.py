"""The ``python-odesk`` logger and its debug switch (``PYTHON_ODESK_DEBUG``)."""

from __future__ import annotations

import logging

from odesk import config

LOGGER_NAME = "python-odesk"


def get_logger() -> logging.Logger:
    """Return the package logger, with one handler attached on first use.

    With ``PYTHON_ODESK_DEBUG`` set the handler logs at DEBUG (to
    ``PYTHON_ODESK_DEBUG_FILE`` when set, else stderr); otherwise it only lets
    CRITICAL records through.  The logger's own level is left to the application.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if not getattr(logger, "_odesk_configured", False):
        if config.PYTHON_ODESK_DEBUG:
            handler: logging.Handler
            if config.PYTHON_ODESK_DEBUG_FILE:
                handler = logging.FileHandler(config.PYTHON_ODESK_DEBUG_FILE)
            else:
                handler = logging.StreamHandler()
            handler.setLevel(logging.DEBUG)
        else:
            handler = logging.StreamHandler()
            handler.setLevel(logging.CRITICAL)
        logger.addHandler(handler)
        logger._odesk_configured = True  # type: ignore[attr-defined]
    return logger
