module sigstorm/zoo-stack

go 1.19
