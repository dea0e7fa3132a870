"""SigmaCloud DR (12Sigma): login, two-step upload, jobs, study list, notify_url callback."""
