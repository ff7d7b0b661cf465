"""Routers package.

All communication with the oDesk API goes through the routers; ``odesk.Client``
attaches one instance of each to itself (``client.hr``, ``client.mc``, ...).
"""
