# Production sizing.
size                = "m5.large"
detailed_monitoring = false
