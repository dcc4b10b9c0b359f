module sizedrop/shelf

go 1.27
