resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"

  user_data = <<-EOT
    #!/bin/bash
    echo "installing agent"
    /opt/agent/install --region eu-west-1
  EOT
}
