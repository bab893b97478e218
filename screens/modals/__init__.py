"""Modal screens: help, the command line, plan confirmation and operation progress.

Operations (scale, redeploy, rollback, env editor, redrive) add their own
modals here and reuse :class:`screens.modals.confirm.ConfirmPlanScreen` and
:class:`screens.modals.progress.ProgressScreen` through
``OpsConsoleApp.run_operation``.
"""
