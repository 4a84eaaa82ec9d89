module sigstorm/zoo-worker

go 1.19
