resource "aws_instance" "workers" {
  instance_type = "t3.large"
}
