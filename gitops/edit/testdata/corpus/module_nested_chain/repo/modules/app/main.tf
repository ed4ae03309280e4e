variable "size" {
  type = string
}

module "server" {
  source        = "./server"
  instance_type = var.size
}
