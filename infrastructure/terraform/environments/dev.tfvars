environment = "dev"
region      = "eu-central-1"
vpc_cidr    = "10.40.0.0/16"
az_count    = 2

# One NAT gateway and small instances: dev may lose egress with a zone.
single_nat_gateway = true

kubernetes_version  = "1.33"
node_instance_types = ["t3.large"]
node_min_size       = 2
node_desired_size   = 2
node_max_size       = 4

db_instance_class         = "db.t4g.medium"
db_replica_instance_class = "db.t4g.medium"
db_allocated_storage      = 20
db_max_allocated_storage  = 50
db_backup_retention_days  = 1

redis_node_type          = "cache.t4g.micro"
redis_num_cache_clusters = 2

secret_recovery_window_days = 0
log_retention_days          = 14

# Private API: reach it from inside the VPC. To allow an office, list its address, e.g.
# cluster_endpoint_public_access_cidrs = ["203.0.113.10/32"]
cluster_endpoint_public_access_cidrs = []
