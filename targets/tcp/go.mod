module sigstorm/zoo-tcp

go 1.19
