# Overrides terraform.tfvars: auto files load later.
worker_count = 5
