worker_count = 3
vpc_cidr     = "10.1.0.0/16"
