"""Parts of the demo that live beside ``odesk_server.demo``: each has ``build(builder)``.

``builder`` is the demo's ``_DemoBuilder`` once its organisation, contracts,
time, money and hiring are written: its ``conn``, ``people`` (by role or
``contractorN``, each with ``id``, ``uid``...), ``company_ids``,
``team_ids``, ``end`` and ``progress``. A part draws from its own
``random.Random`` (seeded from the demo's seed and its name), so adding or
changing a part leaves the rest of the demo as it was.
"""
