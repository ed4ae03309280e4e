# Written by tfdrift for one job (gitops/workspace).
disable_checkpoint = true
