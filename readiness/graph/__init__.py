"""The only code that speaks HTTP to Microsoft Graph (or the simulator, or any Graph double).

Nothing here imports msgraph or azure at module import time: `readiness --help` stays fast.
"""
