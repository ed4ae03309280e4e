resource "aws_instance" "app" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  # Bootstraps the agent.
  user_data = "#!/bin/sh\necho hello\n"
  key_name  = "deploy"
}
