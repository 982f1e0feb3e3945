function __tfs_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tfs_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __tfs_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __tfs_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __tfs_parse_tokens -S
    set -l unparsed_tokens (__tfs_tokens -pc)
    switch $unparsed_tokens[1]
    case 'tfs'
        __tfs_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'init'
            __tfs_parse_subcommand 0 'home=' 'json' 'version' 'h/help'
        case 'add'
            __tfs_parse_subcommand 1 'home=' 'rule=' 'command=' 'entry=' 'title=' 'description=' 'owner=+' 'tz=' 'timeout=' 'on-timeout=' 'overlap=' 'catch-up=' 'catch-up-window=' 'retries=' 'retry-delay=' 'jitter=' 'env=+' 'unset-env=+' 'workdir=' 'alert-after=' 'realert=' 'alert-on=' 'keep=' 'keep-for=' 'user=' 'disabled' 'version' 'h/help'
        case 'modify'
            __tfs_parse_subcommand 1 'home=' 'rule=' 'command=' 'entry=' 'title=' 'description=' 'owner=+' 'tz=' 'timeout=' 'on-timeout=' 'overlap=' 'catch-up=' 'catch-up-window=' 'retries=' 'retry-delay=' 'jitter=' 'env=+' 'unset-env=+' 'workdir=' 'alert-after=' 'realert=' 'alert-on=' 'keep=' 'keep-for=' 'user=' 'version' 'h/help'
        case 'enable'
            __tfs_parse_subcommand 1 'home=' 'version' 'h/help'
        case 'disable'
            __tfs_parse_subcommand 1 'home=' 'version' 'h/help'
        case 'remove'
            __tfs_parse_subcommand 1 'home=' 'purge' 'kill' 'version' 'h/help'
        case 'list'
            __tfs_parse_subcommand 0 'home=' 'json' 'version' 'h/help'
        case 'show'
            __tfs_parse_subcommand 1 'home=' 'json' 'version' 'h/help'
        case 'run'
            __tfs_parse_subcommand 1 'home=' 'wait' 'here' 'force' 'follow' 'version' 'h/help'
        case 'kill'
            __tfs_parse_subcommand 1 'home=' 'run=' 'signal=' 'grace=' 'disable' 'version' 'h/help'
        case 'logs'
            __tfs_parse_subcommand 2 'home=' 'f/follow' 'F/follow-task' 'tail=' 'version' 'h/help'
        case 'history'
            __tfs_parse_subcommand 2 'home=' 'since=' 'until=' 'status=' 'exit-code=' 'trigger=' 'limit=' 'files' 'json' 'version' 'h/help'
        case 'status'
            __tfs_parse_subcommand 0 'home=' 'check' 'json' 'version' 'h/help'
        case 'events'
            __tfs_parse_subcommand 1 'home=' 'type=' 'since=' 'limit=' 'f/follow' 'json' 'version' 'h/help'
        case 'next'
            __tfs_parse_subcommand 1 'home=' 'n/count=' 'tz=' 'from=' 'limit=' 'all' 'json' 'version' 'h/help'
        case 'daemon'
            __tfs_parse_subcommand 0 'home=' 'log-format=' 'shutdown-grace=' 'version' 'h/help'
        case 'prune'
            __tfs_parse_subcommand 0 'home=' 'older-than=' 'keep=' 'dry-run' 'version' 'h/help'
        case 'config'
            __tfs_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __tfs_parse_subcommand 0 'home=' 'json' 'version' 'h/help'
            case 'get'
                __tfs_parse_subcommand 1 'home=' 'json' 'version' 'h/help'
            case 'set'
                __tfs_parse_subcommand -r 2 'home=' 'version' 'h/help'
            case 'unset'
                __tfs_parse_subcommand 1 'home=' 'version' 'h/help'
            end
        case 'channel'
            __tfs_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __tfs_parse_subcommand 1 'home=' 'command=' 'webhook=' 'preset=' 'header=+' 'email=+' 'smtp=' 'smtp-password=' 'sendmail=' 'on=+' 'tasks=' 'version' 'h/help'
            case 'list'
                __tfs_parse_subcommand 0 'home=' 'json' 'version' 'h/help'
            case 'show'
                __tfs_parse_subcommand 1 'home=' 'json' 'version' 'h/help'
            case 'remove'
                __tfs_parse_subcommand 1 'home=' 'version' 'h/help'
            case 'test'
                __tfs_parse_subcommand 1 'home=' 'type=' 'json' 'version' 'h/help'
            end
        case 'import'
            __tfs_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'crontab'
                __tfs_parse_subcommand 1 'home=' 'prefix=' 'dry-run' 'skip-invalid' 'system' 'no-system' 'version' 'h/help'
            end
        case 'export'
            __tfs_parse_subcommand 1 'home=' 'version' 'h/help'
        case 'apply'
            __tfs_parse_subcommand 2 'home=' 'prune' 'dry-run' 'version' 'h/help'
        case 'edit'
            __tfs_parse_subcommand 1 'home=' 'version' 'h/help'
        case 'help'
            __tfs_parse_subcommand -r 1 'version'
        end
    end
end

function __tfs_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __tfs_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __tfs_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __tfs_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__tfs_tokens -p)
    if test -z "$(__tfs_tokens -t)"
        set -l index (count (__tfs_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'tfs' -f
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'init' -d 'Create the home and print its paths.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'add' -d 'Add a task.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'modify' -d 'Change a task\'s fields; prints old → new.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'enable' -d 'Enable a task: the daemon schedules it from its next occurrence.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'disable' -d 'Disable a task: it is no longer scheduled (a running run goes on; see \'tfs kill\').'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'remove' -d 'Delete a task (its runs, logs and history stay unless --purge).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'list' -d 'List tasks: NAME, RULE, NEXT RUN, LAST RUN, STATE (sorted by name).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'show' -d 'Show every field of a task, its next 5 occurrences and its last 5 runs.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'run' -d 'Start a run now (trigger manual), through the daemon or --here.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'kill' -d 'Stop the current run of a task: a signal to its process group, SIGKILL after the grace.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'logs' -d 'Print the raw log of a task\'s last run (or of RUN: an id or a version).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'history' -d 'List runs, newest first; with --files, the files a run published.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'status' -d 'Show the daemon, running runs, failing tasks and recent alerts.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'events' -d 'List alerts and audit entries, newest first; -f follows new ones.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'next' -d 'Print the next occurrences of a rule or task, or of every task (validates a rule: exit 64 when invalid).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'daemon' -d 'Run the scheduler in the foreground (for systemd, supervisord, runit).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'prune' -d 'Delete old runs, their log files and history folders.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'config' -d 'Show or change the settings stored in the database (default: list).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'channel' -d 'Manage alert channels: where alerts are delivered (default: list).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'import' -d 'Turn definitions from other schedulers into tasks.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'export' -d 'Print task definitions as a task file for \'tfs apply\'.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'apply' -d 'Make the tasks match a task file: adds, changes and (with --prune) removes.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'edit' -d 'Edit tasks as a task file in $VISUAL or $EDITOR, like \'crontab -e\'.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs init" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs init" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs init" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" rule' -l 'rule' -d 'Cron rule: \'sec min hour dom mon dow\', 5 fields, or @daily…' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" command' -l 'command' -d 'Executor, split like a shell would (never run through one).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" entry' -l 'entry' -d 'Entry file, relative to the task folder.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" title' -l 'title' -d 'One-line title (≤ 256 characters).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" description' -l 'description' -d 'Description (≤ 4096 characters).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add"' -l 'owner' -d 'Alert recipient (repeatable; \'a@x;b@y\' too).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" tz' -l 'tz' -d 'IANA time zone of the rule.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" timeout' -l 'timeout' -d 'Stop or flag a run after this long (90s, 5m, 1h30m; \'none\').' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" on-timeout' -l 'on-timeout' -d 'On timeout: kill|alert.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" overlap' -l 'overlap' -d 'When still running at the next occurrence: skip|queue|replace|allow.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" catch-up' -l 'catch-up' -d 'Missed occurrences: none|once|all.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" catch-up-window' -l 'catch-up-window' -d 'Only catch up occurrences this recent (\'none\' = no limit).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" retries' -l 'retries' -d 'Re-run a failed run up to N times.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" retry-delay' -l 'retry-delay' -d 'First retry delay, doubling each time (capped at 1h).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" jitter' -l 'jitter' -d 'Start scheduled runs after a random delay in [0, dur).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add"' -l 'env' -d 'Environment variable K=V (repeatable).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add"' -l 'unset-env' -d 'Remove an environment variable (repeatable).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" workdir' -l 'workdir' -d 'Working directory (default: the task folder).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" alert-after' -l 'alert-after' -d 'First failed/timeout alert only after N failing runs in a row (default 1).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" realert' -l 'realert' -d 'Send still-failing every DUR while the task keeps failing (\'none\' = off).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" alert-on' -l 'alert-on' -d 'Only these alert types leave this task (comma list; \'all\' = every type).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" keep' -l 'keep' -d 'Keep only the newest N runs (\'none\' = no count limit).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" keep-for' -l 'keep-for' -d 'Keep runs this recent; with --keep, both limits apply (\'none\' = off).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" user' -l 'user' -d 'Account the task runs as; the daemon must run as it or as root (\'\' = the daemon\'s).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" disabled' -l 'disabled' -d 'Add the task disabled.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" rule' -l 'rule' -d 'Cron rule: \'sec min hour dom mon dow\', 5 fields, or @daily…' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" command' -l 'command' -d 'Executor, split like a shell would (never run through one).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" entry' -l 'entry' -d 'Entry file, relative to the task folder.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" title' -l 'title' -d 'One-line title (≤ 256 characters).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" description' -l 'description' -d 'Description (≤ 4096 characters).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify"' -l 'owner' -d 'Alert recipient (repeatable; \'a@x;b@y\' too).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" tz' -l 'tz' -d 'IANA time zone of the rule.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" timeout' -l 'timeout' -d 'Stop or flag a run after this long (90s, 5m, 1h30m; \'none\').' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" on-timeout' -l 'on-timeout' -d 'On timeout: kill|alert.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" overlap' -l 'overlap' -d 'When still running at the next occurrence: skip|queue|replace|allow.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" catch-up' -l 'catch-up' -d 'Missed occurrences: none|once|all.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" catch-up-window' -l 'catch-up-window' -d 'Only catch up occurrences this recent (\'none\' = no limit).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" retries' -l 'retries' -d 'Re-run a failed run up to N times.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" retry-delay' -l 'retry-delay' -d 'First retry delay, doubling each time (capped at 1h).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" jitter' -l 'jitter' -d 'Start scheduled runs after a random delay in [0, dur).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify"' -l 'env' -d 'Environment variable K=V (repeatable).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify"' -l 'unset-env' -d 'Remove an environment variable (repeatable).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" workdir' -l 'workdir' -d 'Working directory (default: the task folder).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" alert-after' -l 'alert-after' -d 'First failed/timeout alert only after N failing runs in a row (default 1).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" realert' -l 'realert' -d 'Send still-failing every DUR while the task keeps failing (\'none\' = off).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" alert-on' -l 'alert-on' -d 'Only these alert types leave this task (comma list; \'all\' = every type).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" keep' -l 'keep' -d 'Keep only the newest N runs (\'none\' = no count limit).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" keep-for' -l 'keep-for' -d 'Keep runs this recent; with --keep, both limits apply (\'none\' = off).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" user' -l 'user' -d 'Account the task runs as; the daemon must run as it or as root (\'\' = the daemon\'s).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs modify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs enable" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs enable" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs enable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs disable" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs disable" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs disable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs remove" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs remove" purge' -l 'purge' -d 'Also delete its runs and the task folder\'s logs/ and history/.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs remove" kill' -l 'kill' -d 'Stop a queued or running run first (SIGTERM, SIGKILL after 10s).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs remove" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs list" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs list" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs list" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs show" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs show" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs show" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" wait' -l 'wait' -d 'Block until the run ends and exit with its code.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" here' -l 'here' -d 'Run in this process (no daemon needed), streaming the log to stdout.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" force' -l 'force' -d 'Start even while another run of the task is active.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" follow' -l 'follow' -d 'Print the run\'s output as it comes (like \'tfs logs -f\'); implies --wait.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" run' -l 'run' -d 'Stop this run (id) instead of every live run of the task.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" signal' -l 'signal' -d 'Signal to send first (TERM, INT, HUP, KILL, a number…).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" grace' -l 'grace' -d 'Time before SIGKILL.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" disable' -l 'disable' -d 'Also disable the task.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs kill" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs logs" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs logs" f follow' -s 'f' -l 'follow' -d 'Follow a running run until it ends.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs logs" F follow-task' -s 'F' -l 'follow-task' -d 'Follow the task across its runs, until interrupted.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs logs" tail' -l 'tail' -d 'Print only the last N lines.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs logs" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs logs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" since' -l 'since' -d 'Runs queued at or after this time.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" until' -l 'until' -d 'Runs queued before this time.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" status' -l 'status' -d 'Only runs in this status (queued|running|succeeded|failed|killed|timed-out|lost|skipped|missed).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" exit-code' -l 'exit-code' -d 'Only runs that exited with this code.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" trigger' -l 'trigger' -d 'Only runs started by this trigger (schedule|manual|retry|catch-up).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" limit' -l 'limit' -d 'At most N runs (default 50; 0 = all).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" files' -l 'files' -d 'List the files a run published instead of runs.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs status" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs status" check' -l 'check' -d 'Exit 1 with the reason when the daemon is down or a task is failing.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs status" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs status" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" type' -l 'type' -d 'Only events of this type (entry-missing|overlap|failed|timeout|missed|lost|killed|added|modified|deleted|recovered|still-failing|system-error|daemon-started|started|succeeded|daemon-stopped|enabled|disabled|configured|pruned|channel-added|channel-removed).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" since' -l 'since' -d 'Events at or after this time (ISO-8601, a date, or an age: 2h).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" limit' -l 'limit' -d 'At most N events (default 50; 0 = all).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" f follow' -s 'f' -l 'follow' -d 'Keep printing new events until interrupted.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs events" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" count n' -s 'n' -l 'count' -d 'How many occurrences.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" tz' -l 'tz' -d 'IANA time zone (default: the task\'s, else the system\'s).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" from' -l 'from' -d 'Start after this time (default: now).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" limit' -l 'limit' -d 'Without a rule: at most N tasks.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" all' -l 'all' -d 'Without a rule: also list disabled tasks (they have no next run).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs next" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs daemon" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs daemon" log-format' -l 'log-format' -d 'Log line format: text|json.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs daemon" shutdown-grace' -l 'shutdown-grace' -d 'How long SIGTERM waits for running runs before killing them.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs daemon" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs daemon" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs prune" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs prune" older-than' -l 'older-than' -d 'Delete runs older than this (default: setting retention).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs prune" keep' -l 'keep' -d 'Keep the newest N runs of every task.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs prune" dry-run' -l 'dry-run' -d 'Print what would be deleted; delete nothing.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs prune" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs config" -eq 1' -fa 'list' -d 'Every setting: its value (or default) and whether it is set.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs config" -eq 1' -fa 'get' -d 'Print a setting\'s value (its default when unset).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs config" -eq 1' -fa 'set' -d 'Set a setting; prints old → new.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs config" -eq 1' -fa 'unset' -d 'Remove a setting, so its default applies again.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config list" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config list" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config list" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config get" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config get" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config get" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config set" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config set" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config unset" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config unset" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs config unset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs channel" -eq 1' -fa 'add' -d 'Add a channel: --command, --webhook or --email.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs channel" -eq 1' -fa 'list' -d 'Channels: NAME, KIND, TARGET (secrets redacted), ON, TASKS, HEALTH.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs channel" -eq 1' -fa 'show' -d 'One channel: its target (secrets redacted), filters and health.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs channel" -eq 1' -fa 'remove' -d 'Remove a channel; alerts waiting for it are marked failed.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs channel" -eq 1' -fa 'test' -d 'Send a sample alert now (no retries); print the outcome, latency and the start of the answer.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" command' -l 'command' -d 'Run CMD with the alert JSON on stdin (no shell).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" webhook' -l 'webhook' -d 'POST alerts to this http(s) URL (or env:VAR, file:PATH).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" preset' -l 'preset' -d 'Webhook body: generic|slack|discord|teams|ntfy.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add"' -l 'header' -d 'Extra webhook header \'Name: value\' (repeatable).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add"' -l 'email' -d 'Mail alerts to ADDR (repeatable; \'a@x;b@y\' too).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" smtp' -l 'smtp' -d 'Send mail through smtp[s]://[user@]host[:port].' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" smtp-password' -l 'smtp-password' -d 'SMTP password (env:VAR, file:PATH, or literal).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" sendmail' -l 'sendmail' -d 'Send mail through a sendmail-compatible program.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add"' -l 'on' -d 'Alert types to send (comma list, \'all\').' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" tasks' -l 'tasks' -d 'Only alerts of tasks matching this glob.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel list" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel list" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel list" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel show" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel show" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel show" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel remove" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel remove" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel test" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel test" type' -l 'type' -d 'Alert type of the sample (default failed).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel test" json' -l 'json' -d 'Print JSON (schema in the README).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel test" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs channel test" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_positional "tfs import" -eq 1' -fa 'crontab' -d 'Turn each crontab line into a task whose run.sh is the line\'s command.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" prefix' -l 'prefix' -d 'Name tasks PREFIX/NAME instead of crontab/NAME.' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" dry-run' -l 'dry-run' -d 'Print the tasks that would be added; write nothing.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" skip-invalid' -l 'skip-invalid' -d 'Import the valid lines when some are invalid (each reported as skipped).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" system' -l 'system' -d 'Read the system format: a user column after the schedule (detected when not given).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" no-system' -l 'no-system' -d 'Read the system format: a user column after the schedule (detected when not given).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs import crontab" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs export" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs export" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs apply" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs apply" prune' -l 'prune' -d 'Remove the tasks the file lacks (only under PREFIX when given).'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs apply" dry-run' -l 'dry-run' -d 'Print the plan; write nothing.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs apply" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs edit" home' -l 'home' -d 'The tfs home (default: TFS_HOME, $XDG_DATA_HOME/tfs, ~/.local/share/tfs).' -rfka ''
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs edit" version' -l 'version' -d 'Show the version.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs edit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'tfs' -n '__tfs_should_offer_completions_for_flags_or_options "tfs help" version' -l 'version' -d 'Show the version.'
