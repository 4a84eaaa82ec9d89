module sigstorm/zoo-stack

go 1.19

require sigstorm/zoo-redisconn v0.0.0

// The zoo's Redis client, beside this target in the repository (no module proxy is needed or reachable).
replace sigstorm/zoo-redisconn => ../redisconn
