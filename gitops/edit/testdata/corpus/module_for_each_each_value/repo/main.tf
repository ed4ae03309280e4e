module "svc" {
  source   = "./modules/svc"
  for_each = {
    api    = { size = "t3.small" }
    worker = { size = "t3.medium" }
  }
  size = each.value.size
}
