module sigstorm/zoo-redisconn

go 1.19
