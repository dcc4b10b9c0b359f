module sizedrop.example/app

go 1.27
