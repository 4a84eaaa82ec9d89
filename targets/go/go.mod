module sigstorm.dev/zoo

go 1.19
