module sizedrop.example/app

go 1.24
