size = "m5.large"
