"""Guided exercises: the content library (:mod:`~flows.exercises.library`), the graded
walking rules (:mod:`~flows.exercises.walking`), the flow (:mod:`~flows.exercises.flow`)
with its state (:mod:`~flows.exercises.state`), screens (:mod:`~flows.exercises.screens`)
and the facts it records (:mod:`~flows.exercises.facts`).

Import from the module that does the job; this package re-exports nothing, so a name's
import line says where it lives.
"""
