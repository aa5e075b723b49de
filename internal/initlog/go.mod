module boot.postdesk.local/initlog

go 1.26.8
