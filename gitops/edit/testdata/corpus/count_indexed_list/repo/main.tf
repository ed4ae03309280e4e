variable "worker_types" {
  type    = list(string)
  default = ["c5.large", "c5.large", "c5.2xlarge"]
}

resource "aws_instance" "workers" {
  count         = length(var.worker_types)
  ami           = "ami-0abcdef1234567890"
  instance_type = var.worker_types[count.index]
}
