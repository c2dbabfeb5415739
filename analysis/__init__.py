"""Cooperation or Coercion: measure cooperation versus coercion in writing on U.S.–Mexico
security relations.

The pipeline runs in one direction, one module per stage::

    corpus -> segment -> indicators (+ actors) -> metrics / claims / timeline -> charts
"""

__version__ = "0.1.0"
