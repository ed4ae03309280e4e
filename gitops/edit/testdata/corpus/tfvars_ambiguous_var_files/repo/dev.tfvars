size = "t3.micro"
